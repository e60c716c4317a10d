with

source as (

    select * from {{ source('raw', 'units') }}

),

renamed as (

    select
        province_code,
        unit_code,
        trim(unit_name) as unit_name,
        level,
        parent_code,
        valid_from,
        valid_to,
        portal_id,
        emails,
        list_position,
        _file_path as file_path

    from source

)

select * from renamed
