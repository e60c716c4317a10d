{#
  The parts of every indicator of the reports in use, for the metrics layer
  (_marts__metrics.yml): one row per province, period and indicator, the rows of
  province_indicators with the dimensions analysts group by. A ratio metric is the sum of the
  numerators over the sum of the denominators of whatever rows a question groups, never an
  average of ratios; a count metric is the sum of the counts.
  province_code_2025: the province in force from 01/07/2025. Catalogue sizes (indicators not
  additive) of an old province that merged with others have none: they do not add up.
#}

with

province_indicators as (

    select * from {{ ref('province_indicators') }}

),

catalog as (

    select * from {{ ref('dim_indicators') }}

),

periods as (

    select * from {{ ref('dim_periods') }}

),

mapping as (

    select * from {{ ref('provinces_2025') }}

),

merged_from as (

    select
        new_code,
        count(*) as old_codes

    from mapping
    group by new_code

),

indicator_parts as (

    select
        province_indicators.province_code || '|' || province_indicators.period || '|' || province_indicators.indicator_code
            as part_id,
        province_indicators.province_code,
        case
            when province_indicators.period_end >= {{ merger_date() }} then province_indicators.province_code
            when catalog.additive or merged_from.old_codes = 1 then mapping.new_code
        end as province_code_2025,
        province_indicators.period,
        periods.period_type,
        province_indicators.period_start,
        province_indicators.period_end,
        catalog.dataset,
        province_indicators.indicator_code,
        province_indicators.unit,
        province_indicators.numerator,
        province_indicators.denominator

    from province_indicators
    inner join catalog
        on province_indicators.indicator_code = catalog.indicator_code
    left join periods
        on province_indicators.period = periods.period
    left join mapping
        on province_indicators.province_code = mapping.old_code
        and province_indicators.period_end < {{ merger_date() }}
    left join merged_from
        on mapping.new_code = merged_from.new_code

)

select
    indicator_parts.*,
    {{ run_id() }} as run_id
from indicator_parts
