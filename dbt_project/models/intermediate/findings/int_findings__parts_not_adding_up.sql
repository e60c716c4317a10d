{# Rows whose parts do not add up to their total, for each identity of macros/identities.sql (warn). #}

with

{% for i in identities() %}
identity_{{ loop.index }} as (

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

    from {{ ref('stg_raw__' ~ i.dataset) }}
    where {{ i.total }} is not null
        {%- for p in i.parts %}
        and {{ p }} is not null
        {%- endfor %}
        and {{ i.total }} <> {{ i.parts | join(' + ') }}

),

{% endfor %}
findings as (

    {% for i in identities() -%}
    select * from identity_{{ loop.index }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from findings
