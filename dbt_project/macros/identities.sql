{#
  Identities a report's figures must satisfy (domain.md; contract §2.4). Each compares a total
  with the sum of its parts on one row; it is checked only when the total and every part are
  reported. All are warnings: real reports break them (returned or withdrawn dossiers).
#}
{% macro identities() %}
    {{ return([
        {'code': 'received_parts', 'dataset': 'dossier_results', 'total': 'received_total',
         'parts': ['received_online', 'received_offline', 'carried_over'],
         'en': 'dossiers received', 'vi': 'số hồ sơ nhận giải quyết'},
        {'code': 'resolved_parts', 'dataset': 'dossier_results', 'total': 'resolved_total',
         'parts': ['resolved_early', 'resolved_on_time', 'resolved_late'],
         'en': 'dossiers resolved', 'vi': 'số hồ sơ đã giải quyết'},
        {'code': 'resolved_parts', 'dataset': 'dossier_results', 'total': 'resolved_total',
         'parts': ['resolved_in_time', 'resolved_late'],
         'en': 'dossiers resolved', 'vi': 'số hồ sơ đã giải quyết'},
        {'code': 'pending_parts', 'dataset': 'dossier_results', 'total': 'pending_total',
         'parts': ['pending_in_time', 'pending_late'],
         'en': 'dossiers pending', 'vi': 'số hồ sơ đang giải quyết'},
        {'code': 'received_resolved_pending', 'dataset': 'dossier_results', 'total': 'received_total',
         'parts': ['resolved_total', 'pending_total'],
         'en': 'dossiers received (resolved + pending)', 'vi': 'số hồ sơ nhận giải quyết (đã giải quyết + đang giải quyết)'},
        {'code': 'procedures_by_level', 'dataset': 'procedure_inventory', 'total': 'procedures_total',
         'parts': ['procedures_province', 'procedures_district', 'procedures_commune'],
         'en': 'procedures in force', 'vi': 'tổng số TTHC'},
        {'code': 'one_stop_by_level', 'dataset': 'procedure_inventory', 'total': 'one_stop_total',
         'parts': ['one_stop_province', 'one_stop_district', 'one_stop_commune'],
         'en': 'one-stop procedures', 'vi': 'số TTHC thực hiện theo cơ chế một cửa'},
        {'code': 'internal_process_by_level', 'dataset': 'procedure_inventory', 'total': 'internal_process_total',
         'parts': ['internal_process_province', 'internal_process_district', 'internal_process_commune'],
         'en': 'procedures with an internal process', 'vi': 'số TTHC có quy trình nội bộ'},
        {'code': 'services_eligible_levels', 'dataset': 'online_services', 'total': 'integration_eligible',
         'parts': ['services_partial', 'services_full'],
         'en': 'level-3/4 services in scope for integration', 'vi': 'số DVCTT mức độ 3, 4 thuộc phạm vi tích hợp'},
        {'code': 'feedback_subjects', 'dataset': 'feedback', 'total': 'received_total',
         'parts': ['about_regulations', 'about_conduct'],
         'en': 'feedback items received (by subject)', 'vi': 'số PAKN tiếp nhận (theo nội dung)'},
        {'code': 'feedback_resolved_pending', 'dataset': 'feedback', 'total': 'received_total',
         'parts': ['resolved', 'pending'],
         'en': 'feedback items received (handled + being handled)', 'vi': 'số PAKN tiếp nhận (đã xử lý + đang xử lý)'},
    ]) }}
{% endmacro %}
