{#
  The seed report (raw/online_services/22_2020.csv and raw/reported_indicators/22_2020.csv,
  Quảng Ninh, 2020): 518 of 1,552 level-3/4 online services integrated on the National Public
  Service Portal, reported as "33%". Checked whenever those shipped files are the versions in
  use (a corrected revision of the report would replace them); returns a row per broken
  expectation.
#}

with

computed as (

    select numerator, denominator, value
    from {{ ref('province_indicators') }}
    where province_code = '22'
        and period = '2020'
        and indicator_code = 'national_portal_integration_rate'
        and source_file = 'online_services/22_2020.csv'

),

reconciled as (

    select reported_text, status
    from {{ ref('indicator_reconciliation') }}
    where province_code = '22'
        and period = '2020'
        and indicator_code = 'national_portal_integration_rate'
        and source_file = 'reported_indicators/22_2020.csv'

),

broken as (

    select 'computed value is not 518 / 1,552' as expectation
    from computed
    where not (numerator = 518 and denominator = 1552 and abs(value - 518.0 / 1552) < 1e-12)

    union all

    select 'the reported 33% does not reconcile as a match' as expectation
    from reconciled
    where not (reported_text = '33%' and status = 'match' and exists (select 1 from computed))

)

select * from broken
