{#
  Every loaded index snapshot row with its group, and its metric as the seed index766_metrics
  describes it (kind, target, maximum, rule for a zero denominator). A TOTAL whose ratio the
  seed computes from counts (progress: on time ÷ received) gets them as its numerator and
  denominator. All file versions: the checks judge each; the marts keep the current ones.
#}

with

snapshot_rows as (

    select * from {{ ref('stg_raw__index766') }}

),

report_files as (

    select * from {{ ref('stg_raw__report_files') }}
    where is_snapshot

),

groups as (

    select * from {{ ref('index766_groups') }}

),

metrics as (

    select * from {{ ref('index766_metrics') }}

),

described as (

    select
        snapshot_rows.*,
        groups.group_code,
        groups.max_score as group_max_score,
        groups.total_ratio,
        metrics.kind as metric_kind,
        metrics.name_vi as metric_name_vi,
        metrics.name_en as metric_name_en,
        metrics.target,
        metrics.max_score as seed_max_score,
        metrics.no_denominator,
        metrics.numerator_metric,
        metrics.denominator_metric

    from snapshot_rows
    inner join report_files
        on snapshot_rows.file_path = report_files.file_path
        and snapshot_rows.file_sha256 = report_files.file_sha256
    inner join groups
        on report_files.snapshot_group = groups.file_group
    left join metrics
        on groups.group_code = metrics.group_code
        and snapshot_rows.metric_code = metrics.metric_code

),

filled as (

    select
        described.file_path,
        described.file_sha256,
        described.json_path,
        described.group_code,
        described.unit_id,
        described.unit_code,
        described.unit_name,
        described.unit_type,
        described.unit_role,
        described.metric_code,
        coalesce(described.metric_name, described.metric_name_vi) as metric_name,
        described.metric_name_en,
        described.metric_kind,
        coalesce(described.numerator, numerators.numerator) as numerator,
        coalesce(described.denominator, denominators.numerator) as denominator,
        described.ratio,
        described.score,
        described.max_score,
        described.target,
        described.seed_max_score,
        described.no_denominator,
        described.group_max_score,
        described.total_ratio

    from described
    left join snapshot_rows as numerators
        on described.file_path = numerators.file_path
        and described.file_sha256 = numerators.file_sha256
        and described.unit_id = numerators.unit_id
        and described.numerator_metric = numerators.metric_code
    left join snapshot_rows as denominators
        on described.file_path = denominators.file_path
        and described.file_sha256 = denominators.file_sha256
        and described.unit_id = denominators.unit_id
        and described.denominator_metric = denominators.metric_code

)

select * from filled
