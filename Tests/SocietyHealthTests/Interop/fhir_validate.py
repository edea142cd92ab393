"""Validates a FHIR Bundle (JSON on stdin) with the fhir.resources models (pip install fhir.resources).

fhir.resources 7+ ships R5 by default and R4B beside it; R4B has the same structure as R4 for the
resources the SDK exports (Bundle, Organization, Practitioner, CareTeam, Patient, EpisodeOfCare,
Contract). Prints "valid <n> entries" or the validation error and exits 1.
"""
import json
import sys

from fhir.resources.R4B.bundle import Bundle

try:
    bundle = Bundle.model_validate(json.load(sys.stdin))
except Exception as error:  # pydantic.ValidationError and anything else: report and fail
    print(f"invalid: {error}")
    sys.exit(1)
print(f"valid {len(bundle.entry or [])} entries")
