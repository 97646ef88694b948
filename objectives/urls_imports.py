from django.urls import path

from .views import imports

app_name = "imports"

urlpatterns = [
    path("import/", imports.start, name="start"),
    path("import/template.xlsx", imports.template_download, name="template"),
    path("import/preview/<slug:token>/", imports.preview, name="preview"),
    path("import/confirm/<slug:token>/", imports.confirm, name="confirm"),
    path("import/export/<int:plan_id>.xlsx", imports.export, name="export"),
    path("import/next-year/", imports.start_next_year, name="next_year"),
]
