{#
  Total and subtotal rows that differ from the data rows they cover (warn). A total row covers
  every data row of its file; a subtotal covers the data rows since the previous total or
  subtotal. Rows are placed in segments by one window over the file, so the check takes time in
  proportion to the rows, however many subtotals a report has.
#}

with

{% for dataset in indicator_datasets() %}
{%- set counts = raw_columns(dataset, 'count') %}
rows__{{ dataset }} as (

    select
        report_rows.*,
        -- the number of totals and subtotals above the row: the segment a subtotal closes
        coalesce(sum(case when report_rows.row_kind in ('total', 'subtotal') then 1 else 0 end) over (
            partition by report_rows.file_path, report_rows.file_sha256
            order by report_rows.line_number
            rows between unbounded preceding and 1 preceding
        ), 0) as segment

    from {{ ref('stg_raw__' ~ dataset) }} as report_rows

),

sums__{{ dataset }} as (

    select
        file_path,
        file_sha256,
        grouping(segment) = 1 as whole_file,
        segment,
        {%- for c in counts %}
        cast(sum({{ c }}) as bigint) as {{ c }}__sum,
        count({{ c }}) as {{ c }}__reported{{ ',' if not loop.last }}
        {%- endfor %}

    from rows__{{ dataset }}
    where row_kind = 'data'
    group by grouping sets ((file_path, file_sha256), (file_path, file_sha256, segment))

),

covered__{{ dataset }} as (

    select
        totals.file_path,
        totals.file_sha256,
        totals.line_number,
        totals.row_kind,
        {%- for c in counts %}
        totals.{{ c }},
        sums.{{ c }}__sum,
        sums.{{ c }}__reported{{ ',' if not loop.last }}
        {%- endfor %}

    from rows__{{ dataset }} as totals
    inner join sums__{{ dataset }} as sums
        on totals.file_path = sums.file_path
        and totals.file_sha256 = sums.file_sha256
        and (
            (totals.row_kind = 'total' and sums.whole_file)
            or (totals.row_kind = 'subtotal' and not sums.whole_file and totals.segment = sums.segment)
        )

),

findings__{{ dataset }} as (

    {%- for c in counts %}
    select
        file_path,
        file_sha256,
        line_number,
        'warn' as severity,
        'total_vs_data_rows' as check_code,
        '{{ dataset }}' as dataset,
        '{{ c }}' as column_name,
        'The ' || row_kind || ' row gives ' || cast({{ c }} as varchar) || ' for {{ c }}, but the data rows it covers add up to '
        || cast({{ c }}__sum as varchar) || ': check the ' || row_kind || ' and the rows above it.' as message,
        'Dòng ' || case when row_kind = 'total' then 'tổng cộng' else 'cộng nhóm' end || ' ghi ' || cast({{ c }} as varchar)
        || ' ở cột {{ c }}, nhưng cộng các dòng số liệu được ' || cast({{ c }}__sum as varchar) || ': kiểm tra lại.' as message_vi,
        cast({{ c }}__sum as varchar) as expected_value,
        cast({{ c }} as varchar) as actual_value
    from covered__{{ dataset }}
    where {{ c }}__reported > 0
        and {{ c }} is not null
        and {{ c }} <> {{ c }}__sum
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

{% endfor %}
findings as (

    {% for dataset in indicator_datasets() -%}
    select * from findings__{{ dataset }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from findings
