{#
  Dossier records as loaded (typed by the ingest flow, text as written), with codes trimmed,
  channel and status in canonical words, and the outcome of a resolved dossier: early when
  resolved before its due date, on time on the due date, late after it (contract §1.4).
#}

with

source as (

    select * from {{ source('raw', 'dossiers') }}

),

renamed as (

    select
        _file_id as file_id,
        trim(dossier_id) as dossier_id,
        trim(procedure_code) as procedure_code,
        trim(unit_code) as unit_code,
        {{ normalize_label('level') }} as level_key,
        case {{ normalize_label('channel') }}
            when 'online' then 'online'
            when 'truc tuyen' then 'online'
            when 'direct' then 'direct'
            when 'truc tiep' then 'direct'
            when 'postal' then 'postal'
            when 'buu chinh' then 'postal'
        end as channel,
        received_at,
        due_at,
        resolved_at,
        case {{ normalize_label('status') }}
            when 'resolved' then 'resolved'
            when 'da giai quyet' then 'resolved'
            when 'pending' then 'pending'
            when 'dang giai quyet' then 'pending'
            when 'returned' then 'returned'
            when 'tra lai' then 'returned'
            when 'withdrawn' then 'withdrawn'
            when 'rut ho so' then 'withdrawn'
        end as status,
        case
            when resolved_at is null then null
            when cast(resolved_at as date) < cast(due_at as date) then 'early'
            when cast(resolved_at as date) = cast(due_at as date) then 'on_time'
            else 'late'
        end as outcome,
        coalesce(synthetic, false) as is_synthetic

    from source

)

select * from renamed
