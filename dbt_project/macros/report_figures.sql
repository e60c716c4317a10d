{#
  Report-level figures of one file version (contract §2.2): the total row's figure when the
  report has a total row that gives it, else the sum of its data rows. Subtotals never add.
#}
{% macro report_figures(dataset) %}
{%- set counts = raw_columns(dataset, 'count') -%}

with

report_rows as (

    select * from {{ ref('stg_raw__' ~ dataset) }}

),

total_rows as (

    select
        file_path,
        file_sha256,
        {%- for c in counts %}
        max({{ c }}) as {{ c }},
        {%- endfor %}
        count(*) as total_rows

    from report_rows
    where row_kind = 'total'
    group by file_path, file_sha256

),

data_row_sums as (

    select
        file_path,
        file_sha256,
        {%- for c in counts %}
        cast(sum({{ c }}) as bigint) as {{ c }},
        {%- endfor %}
        count(*) as data_rows

    from report_rows
    where row_kind = 'data'
    group by file_path, file_sha256

),

versions as (

    select distinct file_path, file_sha256 from report_rows

),

figures as (

    select
        versions.file_path,
        versions.file_sha256,
        coalesce(total_rows.total_rows, 0) as total_rows,
        coalesce(data_row_sums.data_rows, 0) as data_rows,
        {%- for c in counts %}
        coalesce(total_rows.{{ c }}, data_row_sums.{{ c }}) as {{ c }}{{ ',' if not loop.last }}
        {%- endfor %}

    from versions
    left join total_rows
        on versions.file_path = total_rows.file_path
        and versions.file_sha256 = total_rows.file_sha256
    left join data_row_sums
        on versions.file_path = data_row_sums.file_path
        and versions.file_sha256 = data_row_sums.file_sha256

)

select * from figures
{% endmacro %}
