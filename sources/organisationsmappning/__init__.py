"""`organisationsmappning`: where each old code's history sits in today's organisation, with
shares (README, "Sources")."""

from sources._common.source import Source
from sources.organisationsmappning.contract import CONTRACT

SOURCE = Source(CONTRACT)  # the shared CSV parser, expectations.py
