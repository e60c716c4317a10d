{#
  The expressions whose SQL differs between the warehouse's engines, dispatched as dbt's own
  cross-database macros are (adapter.dispatch): default__ is DuckDB's, postgres__ is
  PostgreSQL's. The models call these and nothing engine-specific.
#}

{# The whole of `expression` matches the regular expression `pattern` (a SQL string literal). #}
{% macro regex_full_match(expression, pattern) -%}
    {{ return(adapter.dispatch('regex_full_match', 'tthc')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regex_full_match(expression, pattern) -%}
    regexp_full_match({{ expression }}, {{ pattern }})
{%- endmacro %}

{% macro postgres__regex_full_match(expression, pattern) -%}
    ({{ expression }} ~ ('^(?:' || {{ pattern }} || ')$'))
{%- endmacro %}

{% macro regex_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}

{#
  Same rule as tthc/contract/labels.py normalize_label: lower case, no diacritics, đ = d,
  punctuation as single spaces. PostgreSQL has no strip_accents without an extension: the
  Vietnamese letters are mapped to their base letters by translate().
#}
{% macro normalize_label(expression) -%}
    trim({{ regex_replace_all(
        "lower(" ~ without_diacritics("replace(replace(" ~ expression ~ ", 'đ', 'd'), 'Đ', 'D')") ~ ")",
        "'[^0-9a-z]+'", "' '") }})
{%- endmacro %}

{% macro without_diacritics(expression) -%}
    {{ return(adapter.dispatch('without_diacritics', 'tthc')(expression)) }}
{%- endmacro %}

{% macro default__without_diacritics(expression) -%}
    strip_accents({{ expression }})
{%- endmacro %}

{% macro postgres__without_diacritics(expression) -%}
    {%- set accented = 'àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ' -%}
    {%- set plain = 'aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyy' -%}
    translate({{ expression }}, '{{ accented ~ accented.upper() }}', '{{ plain ~ plain.upper() }}')
{%- endmacro %}

{# A number from text, or NULL when the text is not one (never an error). #}
{% macro safe_number(expression) -%}
    {{ return(adapter.dispatch('safe_number', 'tthc')(expression)) }}
{%- endmacro %}

{% macro default__safe_number(expression) -%}
    try_cast({{ expression }} as double precision)
{%- endmacro %}

{% macro postgres__safe_number(expression) -%}
    case when {{ expression }} ~ '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$'
        then cast({{ expression }} as double precision) end
{%- endmacro %}

{#
  The cells of `columns` that are not counts, as one list value per row, each element with
  column_name, value_text and problem (see count_problem); `list_elements` makes them rows and
  `element_field` reads them.
#}
{% macro count_problems(columns) -%}
    {{ return(adapter.dispatch('count_problems', 'tthc')(columns)) }}
{%- endmacro %}

{% macro default__count_problems(columns) -%}
    list_filter([
        {%- for c in columns %}
        {'column_name': '{{ c }}', 'value_text': {{ c }}, 'problem': {{ count_problem(c) }}}{{ ',' if not loop.last }}
        {%- endfor %}
    ], lambda cell: cell.problem is not null)
{%- endmacro %}

{% macro postgres__count_problems(columns) -%}
    jsonb_path_query_array(jsonb_build_array(
        {%- for c in columns %}
        jsonb_build_object('column_name', '{{ c }}', 'value_text', {{ c }}, 'problem', {{ count_problem(c) }}){{ ',' if not loop.last }}
        {%- endfor %}
    ), '$[*] ? (@.problem != null)')
{%- endmacro %}

{# One row per element of a list column (in a select list). #}
{% macro list_elements(expression) -%}
    {{ return(adapter.dispatch('list_elements', 'tthc')(expression)) }}
{%- endmacro %}

{% macro default__list_elements(expression) -%}
    unnest({{ expression }})
{%- endmacro %}

{% macro postgres__list_elements(expression) -%}
    jsonb_array_elements({{ expression }})
{%- endmacro %}

{# A text field of one element of such a list. #}
{% macro element_field(element, field) -%}
    {{ return(adapter.dispatch('element_field', 'tthc')(element, field)) }}
{%- endmacro %}

{% macro default__element_field(element, field) -%}
    {{ element }}.{{ field }}
{%- endmacro %}

{% macro postgres__element_field(element, field) -%}
    ({{ element }} ->> '{{ field }}')
{%- endmacro %}

{# The `fraction` quantile of `expression` within the group, interpolated (0.5: the median). #}
{% macro percentile(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile', 'tthc')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro postgres__percentile(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}
