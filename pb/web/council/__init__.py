"""Citizens' councils: public pages, referrals, advice, responses and the register."""
