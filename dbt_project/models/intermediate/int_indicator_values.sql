{# Every indicator of contract §2.3 on every file version of its dataset, from the formulas in macros/indicator_formulas.sql. #}

with

{% for dataset in indicator_datasets() %}
figures__{{ dataset }} as (

    select * from {{ ref('int_report_figures__' ~ dataset) }}

),

{% endfor %}
indicator_inputs as (

    {%- set relations = {} %}
    {%- for dataset in indicator_datasets() %}{% do relations.update({dataset: 'figures__' ~ dataset}) %}{% endfor %}
    {{ indicator_inputs(relations, ['file_path', 'file_sha256']) }}

),

indicator_values as (

    select
        file_path,
        file_sha256,
        indicator_code,
        numerator,
        denominator,
        {{ indicator_value('numerator', 'denominator', 'is_count') }} as value,
        case when is_count then 'count' else 'ratio' end as unit

    from indicator_inputs

)

select * from indicator_values
