{#
  A total equals the sum of its parts, checked where the total and every part are reported.
  `severity` is an argument because real reports break some identities (domain.md): warn
  keeps them visible without stopping the publish, error guards the warehouse's own sums.
#}
{% test parts_add_up(model, column_name, parts, severity='warn') %}
{{ config(severity=severity) }}

select *
from {{ model }}
where {{ column_name }} is not null
    {%- for part in parts %}
    and {{ part }} is not null
    {%- endfor %}
    and {{ column_name }} <> {{ parts | join(' + ') }}

{% endtest %}
