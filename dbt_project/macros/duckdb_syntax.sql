{#
  The few DuckDB-only expressions the models need, kept here so that the models stay
  portable: another warehouse gets its own version of these macros and nothing else changes.
#}
{% macro regex_full_match(expression, pattern) -%}
    regexp_full_match({{ expression }}, {{ pattern }})
{%- endmacro %}

{% macro regex_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}

{# Same rule as flows/ingest/labels.py normalize_label: lower case, no diacritics, đ = d, punctuation as single spaces. #}
{% macro normalize_label(expression) -%}
    trim({{ regex_replace_all(
        "lower(strip_accents(replace(replace(" ~ expression ~ ", 'đ', 'd'), 'Đ', 'D')))",
        "'[^0-9a-z]+'", "' '") }})
{%- endmacro %}

{# One row per element of a list column. #}
{% macro unnest_list(expression) -%}
    unnest({{ expression }})
{%- endmacro %}
