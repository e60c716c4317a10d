-- Each province's indicators over its periods, with rank and changes, on the boundaries the
-- reports were written on (the site's overview and province pages).
select
    trends.province_code,
    trends.province_name,
    trends.indicator_code,
    definitions.name_vi,
    definitions.name_en,
    trends.unit,
    definitions.higher_is_better,
    trends.period,
    trends.period_type,
    periods.period_end,
    trends.value,
    trends.previous_period,
    trends.change_from_previous,
    trends.year_ago_period,
    trends.change_from_year_ago,
    trends.rank,
    trends.provinces_ranked,
    trends.peer_median,
    {{ run_id() }} as run_id
from {{ ref('indicator_trends') }} as trends
inner join {{ ref('dim_indicators') }} as definitions
    on trends.indicator_code = definitions.indicator_code
left join {{ ref('dim_periods') }} as periods
    on trends.period = periods.period
where trends.boundaries = 'as_reported'
