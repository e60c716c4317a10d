{# A reported result that the province's own dossier records contradict (warn). #}
{%- set compared = ['received_total', 'resolved_total', 'resolved_early', 'resolved_on_time', 'resolved_late'] %}

with

reported as (

    select * from {{ ref('int_report_figures__dossier_results') }}

),

from_records as (

    select * from {{ ref('int_dossier_results_from_records') }}
    where coverage_complete

),

{% for c in compared %}
differing_{{ c }} as (

    select
        reported.file_path,
        reported.file_sha256,
        cast(null as integer) as line_number,
        'warn' as severity,
        'records_vs_report' as check_code,
        'dossier_results' as dataset,
        '{{ c }}' as column_name,
        'The report gives ' || cast(reported.{{ c }} as varchar) || ' for {{ c }}, but the dossier records exported for the period count '
        || cast(from_records.{{ c }} as varchar)
        || case when from_records.includes_synthetic then ' (the records include synthetic demo data)' else '' end
        || ': check the report against the one-stop system.' as message,
        'Báo cáo ghi ' || cast(reported.{{ c }} as varchar) || ' ở cột {{ c }}, nhưng dữ liệu hồ sơ chi tiết của kỳ đếm được '
        || cast(from_records.{{ c }} as varchar) || ': đối chiếu lại với hệ thống một cửa.' as message_vi,
        cast(from_records.{{ c }} as varchar) as expected_value,
        cast(reported.{{ c }} as varchar) as actual_value

    from reported
    inner join from_records
        on reported.file_path = from_records.file_path
        and reported.file_sha256 = from_records.file_sha256
    where reported.{{ c }} is not null
        and reported.{{ c }} <> from_records.{{ c }}

),

{% endfor %}
findings as (

    {% for c in compared -%}
    select * from differing_{{ c }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from findings
