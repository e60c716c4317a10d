{#
  Every finding on every loaded file version, before versions are chosen (an error finding
  is what rejects a version). Severities follow contract §2.4.
#}
{%- set form_datasets = indicator_datasets() -%}

with

{% for dataset in form_datasets %}
rows__{{ dataset }} as (

    select * from {{ ref('stg_raw__' ~ dataset) }}

),

{% endfor %}
reported_indicators as (

    select * from {{ ref('stg_raw__reported_indicators') }}

),

indicator_catalog as (

    select * from {{ ref('indicators') }}

),

indicator_values as (

    select * from {{ ref('int_indicator_values') }}

),

invalid_counts as (

    {%- for dataset in form_datasets %}
    select
        file_path,
        file_sha256,
        line_number,
        'error' as severity,
        'invalid_count' as check_code,
        '{{ dataset }}' as dataset,
        cell.column_name as column_name,
        'Cell "' || cell.value_text || '" in column ' || cell.column_name || ' is not a count (' || cell.problem
            || '): correct the figure and send the report again as a new revision.' as message,
        'Ô "' || cell.value_text || '" ở cột ' || cell.column_name || ' không phải là số đếm hợp lệ'
            || ': sửa số liệu và gửi lại báo cáo (bản sửa đổi mới).' as message_vi,
        'a whole number ≥ 0' as expected_value,
        cell.value_text as actual_value
    from (
        select file_path, file_sha256, line_number, {{ unnest_list('count_problems') }} as cell
        from rows__{{ dataset }}
    ) as cells
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

parts_not_adding_up as (

    {%- for i in identities() %}
    select
        file_path,
        file_sha256,
        line_number,
        'warn' as severity,
        '{{ i.code }}' as check_code,
        '{{ i.dataset }}' as dataset,
        '{{ i.total }}' as column_name,
        'The parts of {{ i.en }} ({{ i.parts | join(" + ") }}) add up to '
            || cast({{ i.parts | join(' + ') }} as varchar) || ', but the row gives '
            || cast({{ i.total }} as varchar) || ': check which figure is right.' as message,
        'Các thành phần của {{ i.vi }} ({{ i.parts | join(" + ") }}) cộng lại bằng '
            || cast({{ i.parts | join(' + ') }} as varchar) || ', nhưng dòng này ghi '
            || cast({{ i.total }} as varchar) || ': kiểm tra lại số liệu.' as message_vi,
        cast({{ i.parts | join(' + ') }} as varchar) as expected_value,
        cast({{ i.total }} as varchar) as actual_value
    from rows__{{ i.dataset }}
    where {{ i.total }} is not null
        {%- for p in i.parts %}
        and {{ p }} is not null
        {%- endfor %}
        and {{ i.total }} <> {{ i.parts | join(' + ') }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

{% for dataset in form_datasets %}
{%- set counts = raw_columns(dataset, 'count') %}
-- A total row covers every data row; a subtotal covers the data rows since the previous total or subtotal.
covered__{{ dataset }} as (

    select
        totals.file_path,
        totals.file_sha256,
        totals.line_number,
        totals.row_kind,
        {%- for c in counts %}
        max(totals.{{ c }}) as {{ c }},
        cast(sum(data_rows.{{ c }}) as bigint) as {{ c }}__sum,
        count(data_rows.{{ c }}) as {{ c }}__reported{{ ',' if not loop.last }}
        {%- endfor %}

    from rows__{{ dataset }} as totals
    inner join rows__{{ dataset }} as data_rows
        on totals.file_path = data_rows.file_path
        and totals.file_sha256 = data_rows.file_sha256
        and data_rows.row_kind = 'data'
    where totals.row_kind = 'total'
        or (
            totals.row_kind = 'subtotal'
            and data_rows.line_number < totals.line_number
            and data_rows.line_number > coalesce((
                select max(boundary.line_number)
                from rows__{{ dataset }} as boundary
                where boundary.file_path = totals.file_path
                    and boundary.file_sha256 = totals.file_sha256
                    and boundary.row_kind in ('total', 'subtotal')
                    and boundary.line_number < totals.line_number
            ), 0)
        )
    group by totals.file_path, totals.file_sha256, totals.line_number, totals.row_kind

),

total_vs_data__{{ dataset }} as (

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
-- The formulas on every row, and on the report-level figures of every version.
row_indicator_inputs as (

    {%- set relations = {} %}
    {%- for dataset in form_datasets %}{% do relations.update({dataset: 'rows__' ~ dataset}) %}{% endfor %}
    {{ indicator_inputs(relations, ['file_path', 'file_sha256', 'line_number']) }}

),

ratio_inputs as (

    select file_path, file_sha256, line_number, indicator_code, numerator, denominator
    from row_indicator_inputs
    where not is_count

    union all

    -- report-level figures mix a total row with data-row sums: a ratio above 1 can appear only there
    select file_path, file_sha256, cast(null as integer) as line_number, indicator_code, numerator, denominator
    from indicator_values
    where unit = 'ratio'

),

ratios_above_one as (

    select
        ratio_inputs.file_path,
        ratio_inputs.file_sha256,
        ratio_inputs.line_number,
        'error' as severity,
        'ratio_above_one' as check_code,
        catalog.dataset,
        ratio_inputs.indicator_code as column_name,
        'Indicator ' || ratio_inputs.indicator_code || ' has numerator ' || cast(numerator as varchar)
            || ' above its denominator ' || cast(denominator as varchar)
            || case when ratio_inputs.line_number is null then ' in the report''s figures' else '' end
            || ': a part cannot exceed its whole; correct the figures and send a new revision.' as message,
        'Chỉ tiêu ' || catalog.name_vi || ' có tử số ' || cast(numerator as varchar)
            || ' lớn hơn mẫu số ' || cast(denominator as varchar)
            || ': phần không thể lớn hơn tổng; sửa số liệu và gửi lại báo cáo.' as message_vi,
        '≤ ' || cast(denominator as varchar) as expected_value,
        cast(numerator as varchar) as actual_value
    from ratio_inputs
    inner join indicator_catalog as catalog
        on ratio_inputs.indicator_code = catalog.indicator_code
    where numerator > denominator
        -- a report-level finding only where no row already shows it
        and not (
            ratio_inputs.line_number is null
            and exists (
                select 1
                from row_indicator_inputs as row_level
                where row_level.file_path = ratio_inputs.file_path
                    and row_level.file_sha256 = ratio_inputs.file_sha256
                    and row_level.indicator_code = ratio_inputs.indicator_code
                    and row_level.numerator > row_level.denominator
            )
        )

),

-- a reported result that the province's own dossier records contradict
records_contradicting_reports as (

    {%- for c in ['received_total', 'resolved_total', 'resolved_early', 'resolved_on_time', 'resolved_late'] %}
    select
        reported.file_path,
        reported.file_sha256,
        cast(null as integer) as line_number,
        'warn' as severity,
        'records_vs_report' as check_code,
        'dossier_results' as dataset,
        '{{ c }}' as column_name,
        'The report gives ' || cast(reported.{{ c }} as varchar) || ' for {{ c }}, but the dossier records exported for the period count '
            || cast(records.{{ c }} as varchar)
            || case when records.includes_synthetic then ' (the records include synthetic demo data)' else '' end
            || ': check the report against the one-stop system.' as message,
        'Báo cáo ghi ' || cast(reported.{{ c }} as varchar) || ' ở cột {{ c }}, nhưng dữ liệu hồ sơ chi tiết của kỳ đếm được '
            || cast(records.{{ c }} as varchar) || ': đối chiếu lại với hệ thống một cửa.' as message_vi,
        cast(records.{{ c }} as varchar) as expected_value,
        cast(reported.{{ c }} as varchar) as actual_value
    from {{ ref('int_report_figures__dossier_results') }} as reported
    inner join {{ ref('int_dossier_results_from_records') }} as records
        on reported.file_path = records.file_path
        and reported.file_sha256 = records.file_sha256
    where records.coverage_complete
        and reported.{{ c }} is not null
        and reported.{{ c }} <> records.{{ c }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

unknown_reported_indicators as (

    select
        reported_indicators.file_path,
        reported_indicators.file_sha256,
        reported_indicators.line_number,
        'warn' as severity,
        'unknown_indicator' as check_code,
        'reported_indicators' as dataset,
        'indicator_code' as column_name,
        'Indicator "' || reported_indicators.indicator_written
            || '" is not in the catalog (marts.dim_indicators): kept, but not reconciled.' as message,
        'Chỉ tiêu "' || reported_indicators.indicator_written
            || '" không có trong danh mục (marts.dim_indicators): vẫn lưu nhưng không đối chiếu được.' as message_vi,
        'a code or name of marts.dim_indicators' as expected_value,
        reported_indicators.indicator_written as actual_value
    from reported_indicators
    left join indicator_catalog as catalog
        on reported_indicators.indicator_key = {{ normalize_label('catalog.indicator_code') }}
        or reported_indicators.indicator_key = {{ normalize_label('catalog.name_vi') }}
    where catalog.indicator_code is null

),

findings as (

    select * from invalid_counts
    union all
    select * from parts_not_adding_up
    {%- for dataset in form_datasets %}
    union all
    select * from total_vs_data__{{ dataset }}
    {%- endfor %}
    union all
    select * from ratios_above_one
    union all
    select * from records_contradicting_reports
    union all
    select * from unknown_reported_indicators

)

select * from findings
