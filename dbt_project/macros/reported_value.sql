{#
  Reported figures as written (contract §1.3): "33%", "33,4%", "99,74 %", "0,334", "1.882".
  "," is the decimal mark and "." groups thousands, always; the precision of a figure is its
  last written digit.
#}
{% macro _reported_digits(column) -%}
    replace(replace(replace(replace(trim({{ column }}), '%', ''), ' ', ''), chr(160), ''), '.', '')
{%- endmacro %}

{% macro reported_number(column) -%}
    {{ safe_number("replace(" ~ _reported_digits(column) ~ ", ',', '.')") }}
{%- endmacro %}

{% macro reported_decimals(column) -%}
    case
        when strpos({{ _reported_digits(column) }}, ',') > 0
            then length({{ _reported_digits(column) }}) - strpos({{ _reported_digits(column) }}, ',')
        else 0
    end
{%- endmacro %}

{% macro reported_is_percent(column) -%}
    (strpos(coalesce({{ column }}, ''), '%') > 0)
{%- endmacro %}
