{#
  The id of the tthc run that built a mart (the flow passes it as the dbt var `run_id`). Every
  mart carries it, so a reader can check that one query sees one run: the published file is
  replaced whole, never table by table.
#}
{% macro run_id() -%}
    cast('{{ var("run_id", "manual") }}' as varchar)
{%- endmacro %}
