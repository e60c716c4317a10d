{#
  numerator ÷ denominator rounded half-up to 2 decimals, as the national portal rounds its index
  (seed/index766/README.md): exact for whole or 2-decimal inputs, since floor((200n + d) / 2d)
  never meets a binary fraction at a tie. NULL for a zero denominator.
#}
{% macro half_up_2dp(numerator, denominator) -%}
    cast(floor((200 * ({{ numerator }}) + ({{ denominator }})) / (2 * nullif({{ denominator }}, 0))) / 100 as decimal(18, 2))
{%- endmacro %}
