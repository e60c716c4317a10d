-- Every computed indicator with its names, as the run page lists them.
select
    indicators.province_code,
    indicators.province_name,
    indicators.period,
    indicators.indicator_code,
    definitions.name_vi,
    definitions.name_en,
    indicators.numerator,
    indicators.denominator,
    indicators.value,
    indicators.unit,
    {{ run_id() }} as run_id
from {{ ref('province_indicators') }} as indicators
inner join {{ ref('dim_indicators') }} as definitions
    on indicators.indicator_code = definitions.indicator_code
