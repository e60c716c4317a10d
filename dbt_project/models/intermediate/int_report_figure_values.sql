{#
  Every form file version's figures, one row per column: its total row, or its data rows summed
  where it has none (int_report_figures__<dataset>), with which one it was. What the compiled
  report adds up for the units, and compares with the province's own report.
#}

with

{% for dataset in form_datasets() %}
figures__{{ dataset }} as (

    select * from {{ ref('int_report_figures__' ~ dataset) }}

),

{% endfor %}
figure_values as (

    {%- for dataset in form_datasets() %}
    {%- for c in raw_columns(dataset, 'count') %}
    select
        file_path,
        file_sha256,
        '{{ dataset }}' as dataset,
        '{{ c }}' as column_name,
        {{ loop.index }} as column_position,
        case when total_rows > 0 then 'total_row' else 'data_rows_summed' end as figure_source,
        cast({{ c }} as bigint) as value
    from figures__{{ dataset }}
    union all
    {%- endfor %}
    {%- endfor %}
    -- the columns' types, and no row: what the unions above end on
    select
        cast(null as varchar) as file_path,
        cast(null as varchar) as file_sha256,
        cast(null as varchar) as dataset,
        cast(null as varchar) as column_name,
        cast(null as integer) as column_position,
        cast(null as varchar) as figure_source,
        cast(null as bigint) as value
    where false

)

select * from figure_values
