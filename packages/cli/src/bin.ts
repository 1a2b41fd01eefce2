console.log('reca: not implemented yet');
