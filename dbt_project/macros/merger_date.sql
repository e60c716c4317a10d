{# The day the 34 provinces took over from the 63 (var province_merger_date in dbt_project.yml). #}
{% macro merger_date() -%}
    cast('{{ var("province_merger_date") }}' as date)
{%- endmacro %}
