# Indian English: lakh and crore grouping (1,23,456), not Django's default "en" thousands (123,456).
NUMBER_GROUPING = (3, 2, 0)
