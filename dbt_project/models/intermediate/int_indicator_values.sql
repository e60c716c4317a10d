{# Every indicator of contract §2.3 on every file version of its dataset, from the formulas in macros/indicator_formulas.sql. #}

with

{% for dataset in indicator_datasets() %}
figures__{{ dataset }} as (

    select * from {{ ref('int_report_figures__' ~ dataset) }}

),

{% endfor %}
indicator_inputs as (

    {%- for f in indicator_formulas() %}
    select
        file_path,
        file_sha256,
        '{{ f.code }}' as indicator_code,
        {{ 'true' if f.denominator is none else 'false' }} as is_count,
        cast({{ f.numerator }} as bigint) as numerator,
        cast({{ f.denominator if f.denominator is not none else 'null' }} as bigint) as denominator
    from figures__{{ f.dataset }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

indicator_values as (

    select
        file_path,
        file_sha256,
        indicator_code,
        numerator,
        denominator,
        case
            when is_count then cast(numerator as double)
            else cast(numerator as double) / nullif(denominator, 0)
        end as value,
        case when is_count then 'count' else 'ratio' end as unit

    from indicator_inputs

)

select * from indicator_values
