from django.urls import path

from . import views

app_name = "objectives"

urlpatterns = [
    path("", views.my_work, name="my_work"),
    path("objectives/", views.objective_list, name="list"),
    path("objectives/<int:pk>/", views.objective_detail, name="detail"),
]
