with

source as (

    select * from {{ source('raw', 'deliveries') }}

),

renamed as (

    select
        file_path,
        file_sha256,
        load_id,
        delivered_at

    from source

)

select * from renamed
