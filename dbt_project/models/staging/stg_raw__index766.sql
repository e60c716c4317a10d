with

source as (

    select * from {{ source('raw', 'index766') }}

),

renamed as (

    select
        _file_path as file_path,
        _file_sha256 as file_sha256,
        _load_id as load_id,
        json_path,
        unit_id,
        unit_code,
        unit_name,
        unit_type,
        unit_role,
        metric_code,
        metric_name,
        cast(numerator as decimal(38, 6)) as numerator,
        cast(denominator as decimal(38, 6)) as denominator,
        cast(ratio as decimal(18, 2)) as ratio,
        cast(score as decimal(18, 2)) as score,
        cast(max_score as decimal(18, 2)) as max_score

    from source

)

select * from renamed
