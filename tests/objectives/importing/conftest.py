import pytest


@pytest.fixture(autouse=True)
def private_upload_dir(tmp_path, monkeypatch):
    """Uploads waiting between preview and confirm go to this test's own folder."""
    from objectives.views import imports

    folder = tmp_path / "imports"
    folder.mkdir(mode=0o700)
    monkeypatch.setattr(imports, "upload_dir", lambda: folder)
    return folder
