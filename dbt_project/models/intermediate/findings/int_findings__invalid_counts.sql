{# Cells of a count column that are not a whole number ≥ 0 (error: the version is rejected). #}

with

{% for dataset in indicator_datasets() %}
rows__{{ dataset }} as (

    select * from {{ ref('stg_raw__' ~ dataset) }}

),

cells__{{ dataset }} as (

    select
        file_path,
        file_sha256,
        line_number,
        '{{ dataset }}' as dataset,
        {{ list_elements('count_problems') }} as cell

    from rows__{{ dataset }}

),

{% endfor %}
cells as (

    {% for dataset in indicator_datasets() -%}
    select * from cells__{{ dataset }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

cell_fields as (

    select
        file_path,
        file_sha256,
        line_number,
        dataset,
        {{ element_field('cell', 'column_name') }} as column_name,
        {{ element_field('cell', 'value_text') }} as value_text,
        {{ element_field('cell', 'problem') }} as problem

    from cells

),

findings as (

    select
        file_path,
        file_sha256,
        line_number,
        'error' as severity,
        'invalid_count' as check_code,
        dataset,
        column_name,
        'Cell "' || value_text || '" in column ' || column_name || ' is not a count (' || problem
        || '): correct the figure and send the report again as a new revision.' as message,
        'Ô "' || value_text || '" ở cột ' || column_name || ' không phải là số đếm hợp lệ'
        || ': sửa số liệu và gửi lại báo cáo (bản sửa đổi mới).' as message_vi,
        'a whole number ≥ 0' as expected_value,
        value_text as actual_value

    from cell_fields

)

select * from findings
