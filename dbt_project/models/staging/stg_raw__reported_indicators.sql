with

source as (

    select * from {{ source('raw', 'reported_indicators') }}

),

renamed as (

    select
        _file_path as file_path,
        _file_sha256 as file_sha256,
        _line_number as line_number,
        _load_id as load_id,
        trim(indicator_code) as indicator_written,
        {{ normalize_label('indicator_code') }} as indicator_key,
        trim(reported_value) as reported_text,
        {{ reported_number('reported_value') }} as reported_number,
        {{ reported_decimals('reported_value') }} as reported_decimals,
        {{ reported_is_percent('reported_value') }} as reported_is_percent,
        trim(note) as note

    from source

)

select * from renamed
