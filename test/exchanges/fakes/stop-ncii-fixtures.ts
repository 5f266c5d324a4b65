/**
 * FetchHashes pages as recorded in python-threatexchange's StopNCII client tests
 * (exchanges/clients/stopncii/tests/test_api.py): two pages joined by a page token
 * (note page 2's smaller nextSetTimestamp) and a page with unknown enum values.
 */
export const PAGE_TOKEN =
  'W3siY29tcG9zaXRlVG9rZW4iOnsidG9rZW4iOiIrUklEOn4xMnRWQUo4SzU2Y0NBQUFBQUFBQUFBPT0jUlQ6MSNUUkM6MiNSVEQ6SFBKSm1LVDF1WnFsQkJuR3lOU09CTUhaRytHL1FBPT0jSVNWOjIjSUVPOjY1NTY3';

export const FETCH_PAGE_1 = {
  count: 2,
  nextSetTimestamp: 1625175071,
  nextPageToken: PAGE_TOKEN,
  hasMoreRecords: true,
  hashRecords: [
    {
      lastModtimestamp: 1625167804,
      hashValue: '2afc4a5c09628a7961c14d436493bba66b89b831453baa1d556ba385554daa82',
      hashStatus: 'Received',
      caseNumbers: {
        '27664732-76e1-4a17-8099-455798e67022': 'Received',
        'a2696edf-1237-4eb8-a9c1-cd8ee6c055e5': 'Received',
        '9fbb73d7-c177-4ed2-b4e8-0050b72decd0': 'Received',
        'bd2bff7c-8160-4615-8dce-38c2f066d1ac': 'Received',
      },
      signalType: 'ImagePDQ',
    },
    {
      lastModtimestamp: 1625167844,
      hashValue: '79e07de27d7295339435d63cd31cf35a7bfa29eb2885008500a588a5ea3ae75a',
      hashStatus: 'Received',
      caseNumbers: { 'bd2bff7c-8160-4615-8dce-38c2f066d1ac': 'Received' },
      signalType: 'ImagePDQ',
    },
  ],
};

export const FETCH_PAGE_2 = {
  count: 1,
  nextSetTimestamp: 1625167824,
  nextPageToken: `${PAGE_TOKEN.slice(0, -1)}4`,
  hasMoreRecords: false,
  hashRecords: [
    {
      lastModtimestamp: 1625175071,
      hashValue: '9def0b7dafa86a1c90f2abd78e79ceb25ec3d1a4b3d4bc7a4354baf7717ea038',
      hashStatus: 'Active',
      caseNumbers: { 'cc592711-7068-442f-b5d2-24d50d389751': 'Active' },
      signalType: 'ImagePDQ',
      CSPFeedbacks: [{ source: 'Facebook', feedbackValue: 'Blocked', tags: ['Nude', 'Objectionable'] }],
    },
  ],
};

export const FETCH_PAGE_BAD_ENUMS = {
  count: 3,
  nextSetTimestamp: 1625167824,
  nextPageToken: `${PAGE_TOKEN.slice(0, -1)}4`,
  hasMoreRecords: false,
  hashRecords: [
    FETCH_PAGE_2.hashRecords[0],
    {
      ...FETCH_PAGE_2.hashRecords[0],
      CSPFeedbacks: [{ source: 'Facebook', feedbackValue: 'RandomFeedbackValue', tags: ['Nude', 'Objectionable'] }],
    },
    {
      lastModtimestamp: 1661426988,
      hashValue: '95d087d087f8f41cf00771c707f713c7675d07f8c618f00ef00f07f307e37087',
      hashStatus: 'Active',
      caseNumbers: { 'bce008ff-e114-4815-9de8-8f4a50bfd471': 'Active', '504b123a-0fd9-4b95-b7ad-42abf88a1d09': 'Received' },
      signalType: 'ImagePDQ',
      hashRegions: ['UK'],
      CSPFeedbacks: [
        { source: 'TikTok', feedbackValue: 'Undefined', tags: ['Tag-One', 'Tag-eight'] },
        { source: 'Twitter', feedbackValue: 'Undefined', tags: ['Tag-One', 'Tag-eight'] },
      ],
    },
  ],
};
