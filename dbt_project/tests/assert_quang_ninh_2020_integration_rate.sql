{#
  The seed report (Quảng Ninh, 2020): 518 of 1,552 level-3/4 online services integrated on the
  National Public Service Portal, reported as "33%". Returns a row when the warehouse disagrees.
#}

with

computed as (

    select numerator, denominator, value
    from {{ ref('province_indicators') }}
    where province_code = '22'
        and period = '2020'
        and indicator_code = 'national_portal_integration_rate'

),

reconciled as (

    select status
    from {{ ref('indicator_reconciliation') }}
    where province_code = '22'
        and period = '2020'
        and indicator_code = 'national_portal_integration_rate'
        and reported_text = '33%'

),

checks as (

    select 'computed 518/1,552' as expectation, count(*) as matching
    from computed
    where numerator = 518 and denominator = 1552 and abs(value - 518.0 / 1552) < 1e-12

    union all

    select 'reconciles with the reported 33%' as expectation, count(*) as matching
    from reconciled
    where status = 'match'

)

select * from checks where matching <> 1
