{#
  The portal's scoring rules (seed/index766/README.md), checked on every loaded snapshot row:
  one row per rule and place where it applies, with what the rule gives, what the file says
  and whether they agree. The dbt tests on `holds` and the warn findings read this, so a rule
  is written here only.
  - ratio: a metric's ratio = numerator ÷ denominator × 100, half-up to 2 decimals;
  - score: min(ratio ÷ target, 1) × maximum, half-up (target and maximum from the seed
    index766_metrics; a zero denominator scores as the seed says: full, zero or nothing);
  - max_score: the maximum the file gives is the seed's;
  - total: a row's TOTAL score = the sum of its scored metrics (a province's group scores in the
    national file; the nation's chart groups);
  - row_ratio: a TOTAL's ratio = score ÷ maximum × 100, where the group scores so;
  - count rules of the seed index766_count_rules: parts of a row, or its children, add up.
#}

with

snapshot_values as (

    select * from {{ ref('int_index766_values') }}

),

count_rules as (

    select * from {{ ref('index766_count_rules') }}

),

metric_ratios as (

    select
        *,
        'ratio' as rule_code,
        cast({{ half_up_2dp('100 * numerator', 'denominator') }} as decimal(38, 6)) as expected_value,
        cast(ratio as decimal(38, 6)) as actual_value

    from snapshot_values
    where metric_kind in ('scored', 'informational')
        and numerator is not null
        and denominator > 0

),

metric_scores as (

    select
        *,
        'score' as rule_code,
        cast(case
            when denominator = 0 and no_denominator = 'full' then seed_max_score
            when denominator = 0 and no_denominator = 'zero' then 0
            when denominator = 0 then null
            when 100 * numerator >= denominator * target then seed_max_score
            else {{ half_up_2dp('100 * numerator * seed_max_score', 'denominator * target') }}
        end as decimal(38, 6)) as expected_value,
        cast(score as decimal(38, 6)) as actual_value

    from snapshot_values
    where metric_kind = 'scored'
        and numerator is not null
        and denominator is not null

),

maximum_scores as (

    select
        *,
        'max_score' as rule_code,
        cast(case when metric_code = 'TOTAL' and metric_kind is null then group_max_score else seed_max_score end
            as decimal(38, 6)) as expected_value,
        cast(max_score as decimal(38, 6)) as actual_value

    from snapshot_values
    where max_score is not null
        and (metric_kind in ('scored', 'group', 'radar') or (metric_code = 'TOTAL' and metric_kind is null))

),

unit_sums as (

    select
        file_path,
        file_sha256,
        unit_id,
        unit_role,
        sum(score) as summed_score

    from snapshot_values
    where metric_kind in ('scored', 'group', 'radar') and metric_code <> 'TOTAL'
    group by file_path, file_sha256, unit_id, unit_role

),

totals as (

    select
        snapshot_values.*,
        'total' as rule_code,
        cast(unit_sums.summed_score as decimal(38, 6)) as expected_value,
        cast(snapshot_values.score as decimal(38, 6)) as actual_value

    from snapshot_values
    inner join unit_sums
        on snapshot_values.file_path = unit_sums.file_path
        and snapshot_values.file_sha256 = unit_sums.file_sha256
        and snapshot_values.unit_role = unit_sums.unit_role
        and coalesce(snapshot_values.unit_id, '') = coalesce(unit_sums.unit_id, '')
    where snapshot_values.metric_code = 'TOTAL'

),

row_ratios as (

    select
        *,
        'row_ratio' as rule_code,
        cast({{ half_up_2dp('100 * score', 'coalesce(max_score, group_max_score)') }} as decimal(38, 6)) as expected_value,
        cast(ratio as decimal(38, 6)) as actual_value

    from snapshot_values
    where metric_code = 'TOTAL'
        and total_ratio = 'score_over_max'
        and unit_role <> 'nation'
        and score is not null
        and coalesce(max_score, group_max_score) > 0

),

-- each count rule's parts summed: a row's own parts, or the children's values (for the root, no unit)
count_sums as (

    select
        count_rules.rule_code,
        count_rules.total_metric,
        snapshot_values.file_path,
        snapshot_values.file_sha256,
        case when count_rules.applies_to = 'each_row' then snapshot_values.unit_id end as unit_id,
        count(distinct count_rules.part_metric) as parts_given,
        max(rules_per_code.parts) as parts_expected,
        sum(snapshot_values.numerator) as summed

    from count_rules
    inner join (
        select rule_code, count(*) as parts from count_rules group by rule_code
    ) as rules_per_code
        on count_rules.rule_code = rules_per_code.rule_code
    inner join snapshot_values
        on count_rules.group_code = snapshot_values.group_code
        and count_rules.part_metric = snapshot_values.metric_code
    where snapshot_values.numerator is not null
        and (count_rules.applies_to = 'each_row' or snapshot_values.unit_role = 'child')
    group by
        count_rules.rule_code,
        count_rules.total_metric,
        snapshot_values.file_path,
        snapshot_values.file_sha256,
        case when count_rules.applies_to = 'each_row' then snapshot_values.unit_id end

),

counts as (

    select
        snapshot_values.*,
        count_sums.rule_code,
        cast(count_sums.summed as decimal(38, 6)) as expected_value,
        cast(snapshot_values.numerator as decimal(38, 6)) as actual_value

    from count_sums
    inner join snapshot_values
        on count_sums.file_path = snapshot_values.file_path
        and count_sums.file_sha256 = snapshot_values.file_sha256
        and count_sums.total_metric = snapshot_values.metric_code
        and (
            count_sums.unit_id = snapshot_values.unit_id
            or (count_sums.unit_id is null and snapshot_values.unit_role = 'root')
        )
    where count_sums.parts_given = count_sums.parts_expected
        and snapshot_values.numerator is not null

),

checks as (

    {% for rule in ['metric_ratios', 'metric_scores', 'maximum_scores', 'totals', 'row_ratios', 'counts'] -%}
    select
        file_path,
        file_sha256,
        json_path,
        group_code,
        unit_id,
        unit_code,
        unit_name,
        unit_role,
        metric_code,
        rule_code,
        expected_value,
        actual_value,
        coalesce(expected_value = actual_value, expected_value is null and actual_value is null) as holds
    from {{ rule }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from checks
