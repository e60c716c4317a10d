{#
  Dossier records as loaded (typed by the ingest flow, text as written), with codes trimmed,
  channel and status in canonical words, and the outcome of a resolved dossier: early when
  resolved before its due date, on time on the due date, late after it (contract §1.4). The texts
  as exported are kept beside: a model over millions of rows groups them first and puts a few
  distinct texts into words (dossier_word), not every row.
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
        level as level_as_exported,
        {{ dossier_word('channel', 'channel') }} as channel,
        channel as channel_as_exported,
        received_at,
        due_at,
        resolved_at,
        {{ dossier_word('status', 'status') }} as status,
        status as status_as_exported,
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
