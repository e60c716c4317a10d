with

source as (

    select * from {{ source('audit', 'ingest_log') }}

),

renamed as (

    select
        file_path,
        file_sha256,
        dataset,
        province_code,
        period,
        revision,
        status,
        reason,
        rows_read,
        load_id,
        loaded_at,
        unit_code

    from source

)

select * from renamed
