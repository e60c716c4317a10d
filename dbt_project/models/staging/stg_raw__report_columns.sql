with

source as (

    select * from {{ source('raw', 'report_columns') }}

),

renamed as (

    select
        file_path,
        file_sha256,
        column_name,
        position,
        sheet

    from source

)

select * from renamed
