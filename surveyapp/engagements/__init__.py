"""The hub's support to each municipality: the engagement log (records), its import
from a spreadsheet (engagement_import), exchanges of the exchange planner turned into
planned engagements (exchanges), and a municipality's timeline of assessment rounds
and engagements (timeline)."""
