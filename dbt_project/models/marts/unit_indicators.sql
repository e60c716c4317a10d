{#
  The indicators of each reporting row (unit, sector or level) of the current reports: the same
  formulas as marts.province_indicators, applied to one row's figures. Total and subtotal rows
  are included and marked, so a unit's share can be read against its report's total.
#}

with

{% for dataset in indicator_datasets() %}
rows__{{ dataset }} as (

    select * from {{ ref(dataset) }}

),

{% endfor %}
indicator_inputs as (

    {%- set relations = {} %}
    {%- for dataset in indicator_datasets() %}{% do relations.update({dataset: 'rows__' ~ dataset}) %}{% endfor %}
    {{ indicator_inputs(relations, ['province_code', 'period', 'source_file', 'line_number', 'row_kind', 'level', 'unit']) }}

),

unit_indicators as (

    select
        province_code,
        period,
        source_file,
        line_number,
        row_kind,
        level,
        unit,
        indicator_code,
        numerator,
        denominator,
        {{ indicator_value('numerator', 'denominator', 'is_count') }} as value,
        case when is_count then 'count' else 'ratio' end as indicator_unit

    from indicator_inputs

)

select
    unit_indicators.*,
    {{ run_id() }} as run_id
from unit_indicators
