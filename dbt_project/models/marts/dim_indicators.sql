{# The indicator catalog (seed `indicators`) with each formula as macros/indicator_formulas.sql writes it. #}

with

catalog as (

    select * from {{ ref('indicators') }}

),

formulas as (

    {%- for f in indicator_formulas() %}
    select
        '{{ f.code }}' as indicator_code,
        '{{ f.numerator }}' as numerator_formula,
        {{ "'" ~ f.denominator ~ "'" if f.denominator is not none else 'cast(null as varchar)' }} as denominator_formula
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

indicators as (

    select
        catalog.indicator_code,
        catalog.name_vi,
        catalog.name_en,
        nullif(catalog.dataset, '') as dataset,
        catalog.unit,
        catalog.additive,
        catalog.higher_is_better,
        formulas.numerator_formula,
        formulas.denominator_formula,
        formulas.indicator_code is not null as is_computable

    from catalog
    left join formulas
        on catalog.indicator_code = formulas.indicator_code

)

select
    indicators.*,
    {{ run_id() }} as run_id
from indicators
