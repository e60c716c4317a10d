{#
  The export in use for each province and month of dossier records: the highest revision, then
  the most recently loaded (contract §1.1). Unlike form reports, record exports carry no error
  findings (unreadable lines are rejected one by one at load), so no version is rejected whole.
#}

with

report_files as (

    select * from {{ ref('stg_raw__report_files') }}
    where dataset = 'dossiers'

),

ranked as (

    select
        report_files.*,
        row_number() over (
            partition by province_code, period
            order by revision desc, loaded_at desc
        ) = 1 as is_current

    from report_files

)

select * from ranked
