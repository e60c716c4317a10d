{#
  Every finding on every loaded file version, before versions are chosen (an error finding is
  what rejects a version): the union of one model per family of checks. Severities follow
  contract §2.4.
#}

with

invalid_counts as (

    select * from {{ ref('int_findings__invalid_counts') }}

),

parts_not_adding_up as (

    select * from {{ ref('int_findings__parts_not_adding_up') }}

),

totals_vs_data_rows as (

    select * from {{ ref('int_findings__totals_vs_data_rows') }}

),

ratios_above_one as (

    select * from {{ ref('int_findings__ratios_above_one') }}

),

records_vs_reports as (

    select * from {{ ref('int_findings__records_vs_reports') }}

),

unknown_indicators as (

    select * from {{ ref('int_findings__unknown_indicators') }}

),

index766_scope as (

    select * from {{ ref('int_findings__index766_scope') }}

),

index766_rules as (

    select * from {{ ref('int_findings__index766_rules') }}

),

findings as (

    select * from invalid_counts
    union all
    select * from parts_not_adding_up
    union all
    select * from totals_vs_data_rows
    union all
    select * from ratios_above_one
    union all
    select * from records_vs_reports
    union all
    select * from unknown_indicators
    union all
    select * from index766_scope
    union all
    select * from index766_rules

)

select * from findings
