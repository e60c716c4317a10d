{#
  A ratio indicator whose numerator exceeds its denominator (error): on a row, or in the
  report-level figures, which mix a total row with data-row sums (a ratio above 1 can appear
  only there). A report-level finding is made only where no row already shows it.
#}

with

{% for dataset in indicator_datasets() %}
rows__{{ dataset }} as (

    select * from {{ ref('stg_raw__' ~ dataset) }}

),

{% endfor %}
indicator_catalog as (

    select * from {{ ref('indicators') }}

),

report_indicator_values as (

    select * from {{ ref('int_indicator_values') }}

),

row_indicator_inputs as (

    {%- set relations = {} %}
    {%- for dataset in indicator_datasets() %}{% do relations.update({dataset: 'rows__' ~ dataset}) %}{% endfor %}
    {{ indicator_inputs(relations, ['file_path', 'file_sha256', 'line_number']) }}

),

ratio_inputs as (

    select
        file_path,
        file_sha256,
        line_number,
        indicator_code,
        numerator,
        denominator
    from row_indicator_inputs
    where not is_count

    union all

    select
        file_path,
        file_sha256,
        cast(null as integer) as line_number,
        indicator_code,
        numerator,
        denominator
    from report_indicator_values
    where unit = 'ratio'

),

rows_above_one as (

    select distinct
        file_path,
        file_sha256,
        indicator_code
    from row_indicator_inputs
    where numerator > denominator

),

findings as (

    select
        ratio_inputs.file_path,
        ratio_inputs.file_sha256,
        ratio_inputs.line_number,
        'error' as severity,
        'ratio_above_one' as check_code,
        catalog.dataset,
        ratio_inputs.indicator_code as column_name,
        'Indicator ' || ratio_inputs.indicator_code || ' has numerator ' || cast(ratio_inputs.numerator as varchar)
        || ' above its denominator ' || cast(ratio_inputs.denominator as varchar)
        || case when ratio_inputs.line_number is null then ' in the report''s figures' else '' end
        || ': a part cannot exceed its whole; correct the figures and send a new revision.' as message,
        'Chỉ tiêu ' || catalog.name_vi || ' có tử số ' || cast(ratio_inputs.numerator as varchar)
        || ' lớn hơn mẫu số ' || cast(ratio_inputs.denominator as varchar)
        || ': phần không thể lớn hơn tổng; sửa số liệu và gửi lại báo cáo.' as message_vi,
        '≤ ' || cast(ratio_inputs.denominator as varchar) as expected_value,
        cast(ratio_inputs.numerator as varchar) as actual_value

    from ratio_inputs
    inner join indicator_catalog as catalog
        on ratio_inputs.indicator_code = catalog.indicator_code
    left join rows_above_one
        on ratio_inputs.file_path = rows_above_one.file_path
        and ratio_inputs.file_sha256 = rows_above_one.file_sha256
        and ratio_inputs.indicator_code = rows_above_one.indicator_code
    where ratio_inputs.numerator > ratio_inputs.denominator
        and (ratio_inputs.line_number is not null or rows_above_one.indicator_code is null)

)

select * from findings
