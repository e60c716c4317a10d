{#
  The export in use for each province and month of dossier records: the highest revision, then
  the one delivered last at its path (contract §1.1); none when the month was withdrawn. Unlike form reports, record exports carry no error
  findings (unreadable lines are rejected one by one at load), so no version is rejected whole.
#}

with

report_files as (

    select * from {{ ref('int_file_versions') }}
    where dataset = 'dossiers'

),

ranked as (

    select
        report_files.*,
        row_number() over (
            partition by province_code, period
            order by revision desc, last_delivered_at desc
        ) = 1 and not is_withdrawn as is_current

    from report_files

)

select * from ranked
