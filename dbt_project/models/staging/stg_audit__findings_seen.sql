with

source as (

    select * from {{ source('audit', 'findings_seen') }}

),

renamed as (

    select
        finding_key,
        severity,
        check_code,
        dataset,
        province_code,
        period,
        source_file,
        line_number,
        column_name,
        message,
        first_run_id,
        first_seen_at,
        last_run_id,
        last_seen_at

    from source

)

select * from renamed
