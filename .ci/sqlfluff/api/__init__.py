"""Stand-in for dbt's `api` context (api.Column.translate_type) for sqlfluff's jinja templater."""


class Column:
    @staticmethod
    def translate_type(dtype: str) -> str:
        return dtype
