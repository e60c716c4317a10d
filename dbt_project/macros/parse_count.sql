{#
  Counts as Vietnamese reports write them (contract §1.3): digits, optionally grouped in
  threes by ".", ",", a space or a no-break space ("1.191.036", "1 191 036"); "-" alone is 0
  (Excel's accounting zero); empty is NULL (not reported, never 0). Anything else, and a count
  of more than 18 digits (beyond what a bigint holds), is NULL here and an error finding through
  count_problem().
#}
{% macro count_pattern() -%}
    '[0-9]{1,3}([.,  ][0-9]{3})+|[0-9]+'
{%- endmacro %}

{% macro _count_digits(column) -%}
    {{ regex_replace_all('trim(' ~ column ~ ')', "'[^0-9]'", "''") }}
{%- endmacro %}

{% macro parse_count(column) -%}
    case
        when {{ column }} is null or trim({{ column }}) = '' then null
        when trim({{ column }}) = '-' then cast(0 as bigint)
        when {{ regex_full_match('trim(' ~ column ~ ')', count_pattern()) }} and length({{ _count_digits(column) }}) <= 18
            then cast({{ _count_digits(column) }} as bigint)
    end
{%- endmacro %}

{# Why a non-empty cell is not a count, or NULL when it is one (or empty). #}
{% macro count_problem(column) -%}
    case
        when {{ column }} is null or trim({{ column }}) in ('', '-') then null
        when {{ regex_full_match('trim(' ~ column ~ ')', count_pattern()) }} and length({{ _count_digits(column) }}) > 18
            then 'more than 18 digits: beyond the counts the warehouse holds'
        when {{ regex_full_match('trim(' ~ column ~ ')', count_pattern()) }} then null
        when trim({{ column }}) like '=%' then 'a formula with no saved value: open the workbook in a spreadsheet, save it'
        when {{ regex_full_match('trim(' ~ column ~ ')', "'-\\s*[0-9][0-9.,  ]*'") }} then 'negative'
        when {{ regex_full_match('trim(' ~ column ~ ')', "'[0-9][0-9.,  ]*'") }} then 'fractional or badly grouped'
        else 'not a number'
    end
{%- endmacro %}
