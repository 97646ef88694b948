"""Collaboration day pages. (Being built.)"""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


day_list = day_create = day_detail = day_edit = focus_add = focus_remove = focus_move = _todo
session_add = session_delete = action_add = action_update = decision_add = _todo
pack_pdf = pack_html = _todo
