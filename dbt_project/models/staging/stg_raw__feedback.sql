{% set counts = raw_columns('feedback', 'count') %}

with

source as (

    select * from {{ source('raw', 'feedback') }}

),

renamed as (

    select
        _file_path as file_path,
        _file_sha256 as file_sha256,
        _line_number as line_number,
        _row_kind as row_kind,
        _load_id as load_id,
        trim(unit) as unit,
        trim(level) as level_text,
        {{ normalize_label('level') }} as level_key,
        {%- for c in counts %}
        {{ parse_count(c) }} as {{ c }},
        {%- endfor %}
        {{ count_problems(counts) }} as count_problems

    from source

)

select * from renamed
