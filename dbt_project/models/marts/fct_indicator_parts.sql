{#
  The parts of every indicator of the reports in use, for the metrics layer
  (_marts__metrics.yml): the figures of province_indicators with the dimensions analysts group
  by. A ratio metric is the sum of the numerators over the sum of the denominators of whatever
  rows a question groups, never an average of ratios; a count metric is the sum of the counts.
  level: a report's figure is split by level when its data rows name their levels and add up to
  it exactly (one row per level, so every sum is still the report's); otherwise it is one row
  with no level.
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

data_rows as (

    select * from {{ ref('unit_indicators') }}
    where row_kind = 'data'

),

level_parts as (

    select
        source_file,
        indicator_code,
        level,
        cast(sum(numerator) as bigint) as numerator,
        cast(sum(denominator) as bigint) as denominator

    from data_rows
    group by source_file, indicator_code, level

),

level_totals as (

    select
        source_file,
        indicator_code,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        count(level) as levels_named

    from level_parts
    group by source_file, indicator_code

),

split_by_level as (

    select
        province_indicators.source_file,
        province_indicators.indicator_code

    from province_indicators
    inner join level_totals
        on province_indicators.source_file = level_totals.source_file
        and province_indicators.indicator_code = level_totals.indicator_code
    where level_totals.levels_named > 0
        and province_indicators.numerator = level_totals.numerator
        and coalesce(province_indicators.denominator, -1) = coalesce(level_totals.denominator, -1)

),

figures as (

    select
        province_indicators.province_code,
        province_indicators.period,
        province_indicators.period_start,
        province_indicators.period_end,
        province_indicators.indicator_code,
        province_indicators.unit,
        level_parts.level,
        case when split_by_level.source_file is null then province_indicators.numerator else level_parts.numerator end
            as numerator,
        case when split_by_level.source_file is null then province_indicators.denominator else level_parts.denominator end
            as denominator

    from province_indicators
    left join split_by_level
        on province_indicators.source_file = split_by_level.source_file
        and province_indicators.indicator_code = split_by_level.indicator_code
    left join level_parts
        on split_by_level.source_file = level_parts.source_file
        and split_by_level.indicator_code = level_parts.indicator_code

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
        figures.province_code || '|' || figures.period || '|' || figures.indicator_code
        || '|' || coalesce(figures.level, '') as part_id,
        figures.province_code,
        case
            when figures.period_end >= {{ merger_date() }} then figures.province_code
            when catalog.additive or merged_from.old_codes = 1 then mapping.new_code
        end as province_code_2025,
        figures.period,
        periods.period_type,
        figures.period_start,
        figures.period_end,
        catalog.dataset,
        figures.indicator_code,
        figures.unit,
        figures.level,
        figures.numerator,
        figures.denominator

    from figures
    inner join catalog
        on figures.indicator_code = catalog.indicator_code
    left join periods
        on figures.period = periods.period
    left join mapping
        on figures.province_code = mapping.old_code
        and figures.period_end < {{ merger_date() }}
    left join merged_from
        on mapping.new_code = merged_from.new_code

)

select
    indicator_parts.*,
    {{ run_id() }} as run_id
from indicator_parts
