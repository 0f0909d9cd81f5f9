"""The lead import's forms: the upload, and the mapping step (a field per column, the default
source)."""

from django import forms
from django.core.exceptions import ValidationError

from mainthing.accounts.models import User
from mainthing.core import importing as framework

from .. import leadfiles
from ..models import LeadSource

MAX_MB = framework.MAX_UPLOAD_BYTES // (1024 * 1024)


class LeadUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            f"UTF-8 or Windows-1252 text separated by commas, semicolons or tabs, up to {MAX_MB} "
            "MB. Bigger files: mainthing import leads FILE."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > framework.MAX_UPLOAD_BYTES:
            size = upload.size / (1024 * 1024)
            raise ValidationError(
                f"The file is {size:.1f} MB; the limit here is {MAX_MB} MB. Import bigger files "
                "from a terminal: mainthing import leads FILE."
            )
        return upload


FIELD_CHOICES = [("", "— ignore —"), *leadfiles.FIELDS.items()]


class MappingForm(forms.Form):
    """`has_header` (whether the first row holds column names: when it differs from how the
    file is read, the file is read again and the columns chosen anew), `col-0`, `col-1`, …
    (the field each column feeds, "" to ignore it) and `source` (the source of rows that name
    none; empty for Unknown)."""

    has_header = forms.BooleanField(required=False, label="The first row holds column names")
    source = forms.ModelChoiceField(
        queryset=LeadSource.objects.none(),
        required=False,
        empty_label="Unknown",
        label="Source of rows that name none",
    )

    def __init__(
        self,
        *args,
        user: User,
        headers: list[str],
        examples: list[str],
        mapping: dict[int, str],
        has_header: bool,
        source: LeadSource | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.headers = headers
        self.examples = examples
        self.fields["has_header"].initial = has_header
        self.fields["source"].queryset = (
            LeadSource.objects.filter(user=user, archived=False, category__isnull=False)
            .select_related("category")
            .order_by("category__position", "campaign")
        )
        self.fields["source"].initial = source
        for index, header in enumerate(headers):
            self.fields[f"col-{index}"] = forms.ChoiceField(
                choices=FIELD_CHOICES,
                required=False,
                initial=mapping.get(index, ""),
                label=header,
            )

    def columns(self) -> list[tuple[str, str, forms.BoundField]]:
        """(header, an example value, the field's select) per column."""
        return [
            (header, self.examples[i] if i < len(self.examples) else "", self[f"col-{i}"])
            for i, header in enumerate(self.headers)
        ]

    def clean(self):
        cleaned = super().clean()
        problems = leadfiles.check_mapping(self.mapping(), len(self.headers))
        if problems:
            raise ValidationError(problems)
        return cleaned

    def mapping(self) -> dict[int, str]:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return {
            index: data[f"col-{index}"]
            for index in range(len(self.headers))
            if data.get(f"col-{index}")
        }
