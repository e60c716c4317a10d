{#
  The indicators on the 34 provinces in force from 01/07/2025, for any period, so that 2020 can
  be compared with 2026. Reports of old provinces are mapped to the province they became part
  of; numerators and denominators of flows are summed and ratios recomputed from the sums
  (never averaged). Catalogue sizes and their ratios, which do not add up, are left out.
  coverage_complete says whether every old province expected has reported the indicator.
#}

with

province_indicators as (

    select * from {{ ref('province_indicators') }}

),

catalog as (

    select * from {{ ref('dim_indicators') }}
    where additive

),

mapping as (

    select * from {{ ref('provinces_2025') }}

),

new_provinces as (

    select * from {{ ref('dim_provinces') }}
    where valid_to is null

),

mapped as (

    select
        -- a code on a report that ends after the merger is already a new code
        case
            when province_indicators.period_end >= {{ merger_date() }} then province_indicators.province_code
            else mapping.new_code
        end as province_code,
        province_indicators.province_code as reported_code,
        province_indicators.period,
        province_indicators.period_start,
        province_indicators.period_end,
        province_indicators.indicator_code,
        province_indicators.unit,
        province_indicators.numerator,
        province_indicators.denominator

    from province_indicators
    inner join catalog
        on province_indicators.indicator_code = catalog.indicator_code
    left join mapping
        on province_indicators.province_code = mapping.old_code
        and province_indicators.period_end < {{ merger_date() }}
    -- only inputs that can be summed: both parts of a ratio, or the count
    where province_indicators.numerator is not null
        and (province_indicators.unit = 'count' or province_indicators.denominator is not null)

),

expected as (

    select
        new_code as province_code,
        count(*) as old_codes_expected,
        {{ dbt.listagg('old_code', "', '", "order by old_code") }} as expected_codes

    from mapping
    group by new_code

),

summed as (

    select
        province_code,
        period,
        period_start,
        period_end,
        indicator_code,
        unit,
        cast(sum(numerator) as bigint) as numerator,
        cast(sum(denominator) as bigint) as denominator,
        count(distinct reported_code) as codes_reported,
        {{ dbt.listagg('reported_code', "', '", "order by reported_code") }} as contributing_codes

    from mapped
    group by province_code, period, period_start, period_end, indicator_code, unit

),

indicators_2025 as (

    select
        summed.province_code,
        new_provinces.province_name,
        summed.period,
        summed.period_start,
        summed.period_end,
        summed.indicator_code,
        summed.numerator,
        summed.denominator,
        {{ indicator_value('summed.numerator', 'summed.denominator', "summed.unit = 'count'") }} as value,
        summed.unit,
        summed.contributing_codes,
        case
            when summed.period_end >= {{ merger_date() }} then summed.province_code
            else expected.expected_codes
        end as expected_codes,
        case
            when summed.period_end >= {{ merger_date() }} then true
            else summed.codes_reported = expected.old_codes_expected
        end as coverage_complete

    from summed
    inner join expected
        on summed.province_code = expected.province_code
    inner join new_provinces
        on summed.province_code = new_provinces.province_code

)

select
    indicators_2025.*,
    {{ run_id() }} as run_id
from indicators_2025
